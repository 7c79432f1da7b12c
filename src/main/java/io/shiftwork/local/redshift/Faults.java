package io.shiftwork.local.redshift;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Fault switches for tests: make statements matching a pattern fail, hang or take time; refuse their
 * ExecuteStatement with an AWS error (REFUSE: {@code code}, e.g. ActiveStatementsExceededException, or
 * InternalServerException answered with HTTP 500); make DescribeStatement of an ended statement answer a status
 * string of {@code message} instead of its own (STATUS: e.g. one the SDK does not know, UNKNOWN_TO_SDK_VERSION);
 * make GetStatementResult answer TotalNumRows {@code message} whatever the rows (TOTAL_ROWS: a result that does not
 * add up); throttle requests. A fault armed for a workgroup applies only to statements on that workgroup (a consumer
 * that stops answering SQL while the others go on).
 */
public final class Faults {

    public enum Action {
        FAIL, HANG, DELAY, REFUSE, STATUS, TOTAL_ROWS
    }

    /** One armed fault: applies to the next {@code times} statements whose SQL matches (find) the pattern. */
    public record Fault(Action action, Pattern pattern, String message, double seconds, AtomicInteger remaining,
            String code, String workgroup) {

        boolean appliesTo(String target) {
            return workgroup == null || workgroup.equals(target);
        }
    }

    private final List<Fault> armed = new CopyOnWriteArrayList<>();
    private final Random random = new Random(42);
    private volatile double throttleRate;
    /** Operation → how many of its next requests answer ThrottlingException. */
    private final java.util.Map<String, AtomicInteger> throttleNext = new java.util.concurrent.ConcurrentHashMap<>();

    public void failNext(String regex, String message) {
        arm(Action.FAIL, regex, message, 0, 1);
    }

    public void hangNext(String regex) {
        arm(Action.HANG, regex, null, 0, 1);
    }

    public void delayNext(String regex, double seconds) {
        arm(Action.DELAY, regex, null, seconds, 1);
    }

    /** @param times how many matching statements it applies to; negative: all of them */
    public void arm(Action action, String regex, String message, double seconds, int times) {
        arm(action, regex, message, seconds, times, null);
    }

    /** @param code REFUSE: the AWS error code ExecuteStatement answers (default ValidationException) */
    public void arm(Action action, String regex, String message, double seconds, int times, String code) {
        arm(action, regex, message, seconds, times, code, null);
    }

    /** @param workgroup only statements on this Serverless workgroup (null: any statement) */
    public void arm(Action action, String regex, String message, double seconds, int times, String code, String workgroup) {
        armed.add(new Fault(action, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL),
                message == null ? "ERROR: fault injected by the local Redshift" : message, seconds,
                new AtomicInteger(times), code == null ? "ValidationException" : code, workgroup));
    }

    /** Answer ThrottlingException to this share of Data API requests (0 to 1). */
    public void throttle(double rate) {
        throttleRate = rate;
    }

    /** Answer ThrottlingException to the next {@code times} requests of this operation (ExecuteStatement, ...). */
    public void throttleNext(String operation, int times) {
        throttleNext.put(operation, new AtomicInteger(times));
    }

    public boolean throttled(String operation) {
        AtomicInteger next = throttleNext.get(operation);
        if (next != null && next.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return true;
        }
        return throttled();
    }

    public boolean throttled() {
        double rate = throttleRate;
        if (rate <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    /** Takes the first armed fault matching this SQL, counting it down: REFUSE at submit, the others at run time. */
    Optional<Fault> take(String sql) {
        return take(sql, false);
    }

    /** As {@link #take(String)}, for a statement on this workgroup (null: on a cluster). */
    Optional<Fault> take(String workgroup, String sql) {
        return takeRunning(workgroup, sql);
    }

    Optional<Fault> takeRefusal(String sql) {
        return take(sql, Action.REFUSE);
    }

    Optional<Fault> takeRefusal(String workgroup, String sql) {
        return take(workgroup, sql, Action.REFUSE);
    }

    /** The status DescribeStatement answers for an ended statement with this SQL, if a STATUS fault is armed. */
    Optional<Fault> takeStatus(String sql) {
        return take(sql, Action.STATUS);
    }

    /** The TotalNumRows GetStatementResult answers for a statement with this SQL, if a TOTAL_ROWS fault is armed. */
    Optional<Fault> takeTotalRows(String sql) {
        return take(sql, Action.TOTAL_ROWS);
    }

    private Optional<Fault> take(String sql, boolean refusal) {
        return refusal ? take(sql, Action.REFUSE) : takeRunning(sql);
    }

    private Optional<Fault> takeRunning(String sql) {
        return takeRunning(null, sql);
    }

    private Optional<Fault> takeRunning(String workgroup, String sql) {
        for (Fault f : armed) {
            if ((f.action() == Action.FAIL || f.action() == Action.HANG || f.action() == Action.DELAY) && f.appliesTo(workgroup)
                    && f.pattern().matcher(sql).find()) {
                Optional<Fault> taken = countDown(f);
                if (taken.isPresent()) {
                    return taken;
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Fault> countDown(Fault f) {
        int left = f.remaining().getAndDecrement();
        if (left == 0) {
            return Optional.empty();
        }
        if (left == 1) {
            armed.remove(f);
        }
        return Optional.of(f);
    }

    private Optional<Fault> take(String sql, Action action) {
        return take(null, sql, action);
    }

    private Optional<Fault> take(String workgroup, String sql, Action action) {
        for (Fault f : armed) {
            if (f.action() == action && f.appliesTo(workgroup) && f.pattern().matcher(sql).find()) {
                Optional<Fault> taken = countDown(f);
                if (taken.isPresent()) {
                    return taken;
                }
            }
        }
        return Optional.empty();
    }

    /** Removes the armed faults whose pattern is this regex. */
    public void disarm(String regex) {
        armed.removeIf(f -> f.pattern().pattern().equals(regex));
    }

    /** Removes the faults armed for this workgroup: it answers SQL again. */
    public void disarmWorkgroup(String workgroup) {
        armed.removeIf(f -> workgroup.equals(f.workgroup()));
    }

    public void clear() {
        armed.clear();
        throttleRate = 0;
        throttleNext.clear();
    }
}
