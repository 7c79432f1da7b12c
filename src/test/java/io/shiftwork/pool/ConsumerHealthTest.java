package io.shiftwork.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.shiftwork.pool.ConsumerHealth.Action;
import io.shiftwork.pool.ConsumerHealth.Event;
import io.shiftwork.pool.ConsumerHealth.State;
import io.shiftwork.pool.ConsumerHealth.Status;
import io.shiftwork.pool.ConsumerHealth.Thresholds;

class ConsumerHealthTest {

    @ParameterizedTest(name = "{0}({1}) + {2}, thresholds {3}/{4} -> {5}({6}) {7}")
    @CsvSource(delimiter = '|', value = {
            // state     | streak | event  | unhealthy | healthy | next       | streak | action
            "UNKNOWN     | 0 | PASSED | 1 | 2 | HEALTHY    | 0 | REGISTER",
            "UNKNOWN     | 0 | FAILED | 1 | 2 | UNHEALTHY  | 0 | DEREGISTER",
            "UNKNOWN     | 0 | FAILED | 3 | 2 | UNHEALTHY  | 0 | DEREGISTER",
            "HEALTHY     | 0 | PASSED | 1 | 2 | HEALTHY    | 0 | NONE",
            "HEALTHY     | 0 | FAILED | 1 | 2 | UNHEALTHY  | 0 | DEREGISTER",
            "HEALTHY     | 0 | FAILED | 3 | 2 | FAILING    | 1 | NONE",
            "FAILING     | 1 | FAILED | 3 | 2 | FAILING    | 2 | NONE",
            "FAILING     | 2 | FAILED | 3 | 2 | UNHEALTHY  | 0 | DEREGISTER",
            "FAILING     | 2 | PASSED | 3 | 2 | HEALTHY    | 0 | NONE",
            "UNHEALTHY   | 0 | FAILED | 1 | 2 | UNHEALTHY  | 0 | NONE",
            "UNHEALTHY   | 0 | PASSED | 1 | 2 | RECOVERING | 1 | NONE",
            "UNHEALTHY   | 0 | PASSED | 1 | 1 | HEALTHY    | 0 | REGISTER",
            "RECOVERING  | 1 | PASSED | 1 | 2 | HEALTHY    | 0 | REGISTER",
            "RECOVERING  | 1 | PASSED | 1 | 3 | RECOVERING | 2 | NONE",
            "RECOVERING  | 2 | FAILED | 1 | 3 | UNHEALTHY  | 0 | NONE",
            // a check the AWS side made inconclusive (throttled, 5xx, unreachable) moves nothing
            "UNKNOWN     | 0 | INCONCLUSIVE | 1 | 2 | UNKNOWN    | 0 | NONE",
            "HEALTHY     | 0 | INCONCLUSIVE | 1 | 2 | HEALTHY    | 0 | NONE",
            "FAILING     | 2 | INCONCLUSIVE | 3 | 2 | FAILING    | 2 | NONE",
            "UNHEALTHY   | 0 | INCONCLUSIVE | 1 | 2 | UNHEALTHY  | 0 | NONE",
            "RECOVERING  | 1 | INCONCLUSIVE | 1 | 2 | RECOVERING | 1 | NONE",
    })
    void transitions(State state, int streak, Event event, int unhealthy, int healthy, State next, int nextStreak,
            Action action) {
        ConsumerHealth.Transition t = ConsumerHealth.next(new Status(state, streak), event, new Thresholds(unhealthy, healthy));
        assertEquals(new Status(next, nextStreak), t.status());
        assertEquals(action, t.action());
    }

    @ParameterizedTest(name = "{0} configured, {1} registered, {2} after the plan -> fail open {3}")
    @CsvSource(delimiter = '|', value = {
            // configured | registered now | after plan | fail open
            "2 | 2 | 0 | true",  // every consumer out at once: keep the targets, as an NLB routes to all when none is healthy
            "1 | 1 | 0 | true",
            "2 | 2 | 1 | false", // one left: apply
            "2 | 0 | 0 | false", // nothing to keep
            "2 | 1 | 2 | false",
            "0 | 1 | 0 | false", // no consumer configured: strays go
    })
    void failOpen(int configured, int registered, int after, boolean failOpen) {
        assertEquals(failOpen, ConsumerHealth.failOpen(configured, registered, after));
    }

    @Test
    void onlyHealthyAndFailingConsumersAreInThePool() {
        assertEquals(List.of(State.HEALTHY, State.FAILING),
                java.util.Arrays.stream(State.values()).filter(State::inPool).toList());
    }

    @Test
    void aFlappingConsumerNeverReturnsBeforeTheHealthyThreshold() {
        Thresholds t = new Thresholds(2, 3);
        Status s = Status.UNKNOWN;
        Event[] events = { Event.PASSED, Event.FAILED, Event.FAILED, Event.PASSED, Event.PASSED, Event.FAILED, Event.PASSED,
                Event.PASSED, Event.PASSED };
        boolean[] inPool = { true, true, false, false, false, false, false, false, true };
        for (int i = 0; i < events.length; i++) {
            s = ConsumerHealth.next(s, events[i], t).status();
            assertEquals(inPool[i], s.state().inPool(), "after check " + (i + 1) + ": " + s);
        }
        assertTrue(s.state().inPool());
        assertFalse(ConsumerHealth.next(new Status(State.UNHEALTHY, 0), Event.PASSED, t).status().state().inPool());
    }

    @Test
    void thresholdsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(0, 2));
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(1, 0));
    }

    @org.junit.jupiter.api.Test
    void aPoolThatCannotWorkStopsStartUpNamingTheKey() {
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("query-timeout=-PT1S", "shiftwork.pool.query-timeout must be positive");
        cases.put("query-timeout=PT0S", "shiftwork.pool.query-timeout must be positive");
        cases.put("interval=abc", "shiftwork.pool.interval must be a positive duration");
        cases.put("interval=0s", "shiftwork.pool.interval must be a positive duration");
        cases.put("interval=30", "shiftwork.pool.interval must be a positive duration"); // Camel: 30 ms
        cases.put("first-check-delay=-1s", "shiftwork.pool.first-check-delay must be a duration");
        cases.put("unhealthy-threshold=0", "shiftwork.pool.unhealthy-threshold and shiftwork.pool.healthy-threshold");
        cases.put("query-timeout=PT40S", "must be shorter than shiftwork.pool.interval");
        cases.put("check-sql=DELETE FROM t", "shiftwork.pool.check-sql must be one SELECT");
        cases.put("check-sql=SELECT 1; DROP TABLE t", "shiftwork.pool.check-sql must be one SELECT");
        cases.put("check-sql= ", "shiftwork.pool.check-sql must be one SELECT");
        for (java.util.Map.Entry<String, String> c : cases.entrySet()) {
            String[] kv = c.getKey().split("=", 2);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> ConsumerPoolPipelines.check(pool(kv[0], kv[1])), c.getKey());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
        ConsumerPoolPipelines.check(pool("interval", "30s")); // the defaults work
        // no consumers: nothing to check but the timer's own period and delay, which run all the same
        IllegalStateException idle = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ConsumerPoolPipelines.check(pool("consumers", "-1s")));
        org.junit.jupiter.api.Assertions.assertTrue(idle.getMessage().startsWith("shiftwork.pool.interval must be"), idle.getMessage());
        ConsumerPoolPipelines.check(pool("consumers", "30s"));
        ConsumerPoolPipelines.check(pool("check-sql", "select 1 from shared.public.orders limit 1;"));
    }

    /**
     * shiftwork.pool.* with two consumers, the defaults, and {@code key} set to {@code value}; key "consumers": none,
     * and {@code value} as the interval.
     */
    private static PoolConfig pool(String key, String value) {
        return (PoolConfig) java.lang.reflect.Proxy.newProxyInstance(PoolConfig.class.getClassLoader(), new Class<?>[] {PoolConfig.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "consumers" -> key.equals("consumers") ? java.util.Optional.empty() : java.util.Optional.of(java.util.List.of("c-1", "c-2"));
                    case "targetGroup" -> java.util.Optional.of("tg");
                    case "interval" -> key.equals("interval") || key.equals("consumers") ? value : "30s";
                    case "firstCheckDelay" -> key.equals("first-check-delay") ? value : "10s";
                    case "queryTimeout" -> java.time.Duration.parse(key.equals("query-timeout") ? value : "PT5S");
                    case "unhealthyThreshold" -> key.equals("unhealthy-threshold") ? Integer.parseInt(value) : 1;
                    case "healthyThreshold" -> 2;
                    case "checkSql" -> key.equals("check-sql") ? value : "SELECT 1";
                    default -> m.getReturnType() == java.util.Optional.class ? java.util.Optional.empty() : null;
                });
    }
}
