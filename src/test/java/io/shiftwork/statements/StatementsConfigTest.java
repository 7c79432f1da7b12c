package io.shiftwork.statements;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementsConfigTest {

    @Test
    void theDefaultsPass() {
        StatementsConfig.check(config("none", "0"));
    }

    @ParameterizedTest
    @CsvSource({"receiveWaitSeconds, 999, receive-wait-seconds must be 0 to 20",
            "receiveWaitSeconds, -1, receive-wait-seconds must be 0 to 20",
            "receiveMaxMessages, 11, receive-max-messages must be 1 to 10",
            "consumers, -3, consumers, poll-threads",
            "pollThreads, 0, consumers, poll-threads",
            "eventTimeout, PT0S, event-timeout must be positive",
            "retention, -PT1H, retention must be positive",
            "submitGrace, -PT1S, submit-grace must not be negative",
            "executeRate, 0, execute-rate and describe-rate must be positive"})
    void whatSqsOrTheEngineCannotWorkWithStopsStartUpNamingTheKey(String method, String value, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StatementsConfig.check(config(method, value)));
        assertTrue(e.getMessage().contains("shiftwork.statements.") && e.getMessage().contains(message), e.getMessage());
    }

    /** The defaults of StatementsConfig (its @WithDefault values), with {@code method} answering {@code value}. */
    private static StatementsConfig config(String method, String value) {
        return (StatementsConfig) java.lang.reflect.Proxy.newProxyInstance(StatementsConfig.class.getClassLoader(),
                new Class<?>[] {StatementsConfig.class}, (proxy, m, args) -> {
                    String v = m.getName().equals(method) ? value : null;
                    if (v == null) {
                        io.smallrye.config.WithDefault d = m.getAnnotation(io.smallrye.config.WithDefault.class);
                        v = d == null ? null : d.value();
                    }
                    Class<?> t = m.getReturnType();
                    if (t == int.class) {
                        return v == null ? 1 : Integer.parseInt(v);
                    }
                    if (t == double.class) {
                        return v == null ? 1.0 : Double.parseDouble(v);
                    }
                    if (t == boolean.class) {
                        return v != null && Boolean.parseBoolean(v);
                    }
                    if (t == Duration.class) {
                        return v == null ? Duration.ofSeconds(1) : Duration.parse(v);
                    }
                    if (t == java.util.Optional.class) {
                        return java.util.Optional.empty();
                    }
                    return v;
                });
    }
}
