package io.shiftwork.queries;

/** One consumer a read may run on: a Serverless workgroup, or a provisioned cluster. */
public record ReadTarget(String name, boolean cluster) {

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /** {@code <workgroup>} or {@code cluster:<identifier>}, as in {@code shiftwork.queries.consumers}. */
    public static ReadTarget parse(String entry) {
        String s = entry.trim();
        boolean cluster = s.startsWith("cluster:");
        String name = cluster ? s.substring("cluster:".length()) : s;
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("shiftwork.queries.consumers: '" + entry
                    + "' is not a workgroup name or cluster:<identifier> (lower-case letters, digits, '-')");
        }
        return new ReadTarget(name, cluster);
    }

    @Override
    public String toString() {
        return cluster ? "cluster:" + name : name;
    }
}
