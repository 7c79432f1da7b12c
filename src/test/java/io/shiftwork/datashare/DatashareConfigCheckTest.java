package io.shiftwork.datashare;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** shiftwork.datashare.* checked at start-up: a value the flow cannot use stops it, naming the full key. */
class DatashareConfigCheckTest {

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "share             | airline share        | shiftwork.datashare.share: 'airline share' is not a Redshift identifier",
            "share             | Airline_Share        | write 'airline_share'",
            "share             | share;drop table x   | shiftwork.datashare.share:",
            "consumer-database | 1shared              | shiftwork.datashare.consumer-database: '1shared'",
            "database          | dev db               | shiftwork.datashare.database: 'dev db'",
            "schemas           | airline,Sales        | shiftwork.datashare.schemas: 'Sales'",
            "schemas           | airline,airline      | shiftwork.datashare.schemas: 'airline' is listed twice",
            "producer          | Airline_Producer     | shiftwork.datashare.producer: 'Airline_Producer' is not a Serverless workgroup name",
            "producer          | pr                   | shiftwork.datashare.producer: 'pr'",
            "consumers         | c-one,c two          | shiftwork.datashare.consumers: 'c two'",
            "consumers         | c-one,c-one          | shiftwork.datashare.consumers: 'c-one' is listed twice",
            "consumers         | c-one,the-producer   | shiftwork.datashare.consumers: 'the-producer' is the producer",
            "consumers-alone   | c-one                | shiftwork.datashare.consumers is set but shiftwork.datashare.producer is not",
            "consumers         | c-01,c-02,c-03,c-04,c-05,c-06,c-07,c-08,c-09,c-10,c-11 | shiftwork.datashare.consumers: at most 10",
    })
    void aValueTheFlowCannotUseStopsStartUpNamingTheKey(String key, String value, String expected) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DatasharePipelines.check(config(key, value)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1} is fine")
    @CsvSource(delimiter = '|', value = {
            "share             | airline_share",
            "schemas           | airline,sales$2",
            "consumers         | c-one,c-two",
            "consumer-database | _shared",
            "none              | ",
    })
    void validSettingsAndTheDefaultsStart(String key, String value) {
        assertDoesNotThrow(() -> DatasharePipelines.check(config(key, value)));
        assertDoesNotThrow(() -> DatasharePipelines.check(unset()));
    }

    /** A producer the-producer, consumer c-one, the defaults, and {@code key} set to {@code value}. */
    private static DatashareConfig config(String key, String value) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("producer", Optional.of("the-producer"),
                "consumers", Optional.of(List.of("c-one")), "schemas", List.of("public"), "share", "shiftwork_share",
                "consumerDatabase", "shared", "database", "dev", "publiclyAccessible", false));
        switch (key) {
            case "producer" -> values.put("producer", Optional.of(value));
            case "consumers" -> values.put("consumers", Optional.of(Arrays.asList(value.split(","))));
            case "consumers-alone" -> {
                values.put("producer", Optional.empty());
                values.put("consumers", Optional.of(List.of(value)));
            }
            case "schemas" -> values.put("schemas", Arrays.asList(value.split(",")));
            case "share" -> values.put("share", value);
            case "consumer-database" -> values.put("consumerDatabase", value);
            case "database" -> values.put("database", value);
            default -> {
            }
        }
        return proxy(values);
    }

    /** Nothing set: the defaults only (no producer, no consumers). */
    private static DatashareConfig unset() {
        return proxy(Map.of("producer", Optional.empty(), "consumers", Optional.empty(), "schemas", List.of("public"),
                "share", "shiftwork_share", "consumerDatabase", "shared", "database", "dev", "publiclyAccessible", false));
    }

    private static DatashareConfig proxy(Map<String, Object> values) {
        return (DatashareConfig) Proxy.newProxyInstance(DatashareConfig.class.getClassLoader(),
                new Class<?>[] {DatashareConfig.class}, (p, m, args) -> values.get(m.getName()));
    }
}
