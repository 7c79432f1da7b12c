package io.shiftwork.cluster;

/** An action refused because this replica does not hold its namespace's lease (any more): another replica acts. */
public class NotLeader extends RuntimeException {

    public NotLeader(String namespace, String member, String what, String why) {
        super(member + " did not " + what + ": not the leader of " + namespace + " (" + why + ")");
    }
}
