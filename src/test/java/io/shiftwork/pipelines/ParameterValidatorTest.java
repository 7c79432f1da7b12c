package io.shiftwork.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.shiftwork.pipelines.ParamSpec.Type;

class ParameterValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PipelineSpec SPEC = PipelineSpec.of("demo", "demo", null, List.of(
            ParamSpec.required("spname", Type.STRING, "procedure").matching("[a-z_]+(\\.[a-z_]+)?"),
            ParamSpec.optional("retries", Type.INTEGER, 3L, "retries"),
            ParamSpec.optional("ratio", Type.NUMBER, null, "ratio"),
            ParamSpec.optional("dryRun", Type.BOOLEAN, false, "dry run")));

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static ApiException rejected(String body) {
        return assertThrows(ApiException.class, () -> ParameterValidator.validate(SPEC, json(body)));
    }

    @Test
    void fillsDefaultsAndKeepsGivenValues() throws Exception {
        Map<String, Object> p = ParameterValidator.validate(SPEC, json("{\"spname\":\"public.sp\",\"ratio\":2}"));
        assertEquals(Map.of("spname", "public.sp", "retries", 3L, "ratio", 2.0, "dryRun", false), p);
    }

    @Test
    void rejectsUnknownParametersNamingThemAndTheKnownOnes() {
        ApiException e = rejected("{\"spname\":\"sp\",\"colour\":\"red\"}");
        assertEquals(400, e.status());
        assertEquals("unknown_parameter", e.error());
        assertTrue(e.getMessage().contains("'colour'") && e.getMessage().contains("spname, retries"), e.getMessage());
    }

    @Test
    void rejectsWrongTypesNamingTheParameter() {
        ApiException e = rejected("{\"spname\":\"sp\",\"retries\":\"three\"}");
        assertEquals("invalid_parameter_type", e.error());
        assertTrue(e.getMessage().contains("'retries'") && e.getMessage().contains("an integer"), e.getMessage());
        assertEquals("invalid_parameter_type", rejected("{\"spname\":\"sp\",\"retries\":1.5}").error());
        assertEquals("invalid_parameter_type", rejected("{\"spname\":\"sp\",\"dryRun\":\"yes\"}").error());
        assertEquals("invalid_parameter_type", rejected("{\"spname\":42}").error());
    }

    @Test
    void rejectsMissingRequiredParameter() {
        assertEquals("missing_parameter", rejected("{}").error());
    }

    @Test
    void rejectsValuesOutsideThePattern() {
        ApiException e = rejected("{\"spname\":\"x'); drop table t; --\"}");
        assertEquals("invalid_parameter_value", e.error());
    }

    @Test
    void rejectsBodiesThatAreNotObjects() {
        assertEquals("invalid_parameters", rejected("[1,2]").error());
        assertEquals("invalid_parameters", rejected("\"text\"").error());
    }

    private static final PipelineSpec BOUNDED = PipelineSpec.of("bounded", "bounded", null, List.of(
            ParamSpec.optional("message", Type.STRING, "hi", "message").maxLength(10),
            ParamSpec.optional("free", Type.STRING, null, "any text up to the default length"),
            ParamSpec.optional("delayMs", Type.INTEGER, 0L, "delay").range(0, 60_000),
            ParamSpec.optional("ratio", Type.NUMBER, null, "ratio").range(0, 1),
            ParamSpec.optional("count", Type.INTEGER, null, "default range"),
            ParamSpec.optional("spname", Type.STRING, "public.sp_log", "procedure")
                    .allowedBy("demo.allowed", List.of("public.sp_log", "reporting.*"))));

    private static ApiException refused(String body) {
        return assertThrows(ApiException.class, () -> ParameterValidator.validate(BOUNDED, json(body)));
    }

    @Test
    void everyStringHasAMaximumLengthAndTheErrorNamesIt() throws Exception {
        ApiException e = refused("{\"message\":\"01234567890\"}");
        assertEquals(400, e.status());
        assertEquals("parameter_too_long", e.error());
        assertEquals("parameter 'message' of pipeline 'bounded' is at most 10 characters, got 11", e.getMessage());
        assertEquals("0123456789", ParameterValidator.validate(BOUNDED, json("{\"message\":\"0123456789\"}")).get("message"));
        assertEquals(ParamSpec.DEFAULT_MAX_LENGTH, BOUNDED.parameters().get(1).maxLength(), "strings have a default bound");
        assertEquals("parameter_too_long", refused("{\"free\":\"" + "x".repeat(ParamSpec.DEFAULT_MAX_LENGTH + 1) + "\"}").error());
    }

    @Test
    void everyNumberHasARangeAndTheErrorNamesIt() throws Exception {
        ApiException e = refused("{\"delayMs\":99999999999}");
        assertEquals(400, e.status());
        assertEquals("parameter_out_of_range", e.error());
        assertEquals("parameter 'delayMs' of pipeline 'bounded' must be from 0 to 60000, got 99999999999", e.getMessage());
        assertEquals("parameter_out_of_range", refused("{\"delayMs\":-1}").error());
        assertEquals("parameter_out_of_range", refused("{\"ratio\":1.5}").error());
        assertEquals("parameter_out_of_range", refused("{\"count\":" + (ParamSpec.DEFAULT_MAXIMUM + 1) + "}").error());
        assertEquals(60_000L, ParameterValidator.validate(BOUNDED, json("{\"delayMs\":60000}")).get("delayMs"));
        assertEquals(0.5, ParameterValidator.validate(BOUNDED, json("{\"ratio\":0.5}")).get("ratio"));
    }

    @Test
    void anAllowlistTakesNamesAndGlobsAndRefusesTheRestWith403NamingTheKey() throws Exception {
        assertEquals("public.sp_log", ParameterValidator.validate(BOUNDED, json("{\"spname\":\"public.sp_log\"}")).get("spname"));
        assertEquals("reporting.daily", ParameterValidator.validate(BOUNDED, json("{\"spname\":\"reporting.daily\"}")).get("spname"));
        for (String bad : List.of("public.sp_log2", "public.other", "reportingx.daily", "REPORTING.daily", "sp_log")) {
            ApiException e = refused("{\"spname\":\"" + bad + "\"}");
            assertEquals(403, e.status(), bad);
            assertEquals("parameter_not_allowed", e.error());
            assertTrue(e.getMessage().contains("'spname'") && e.getMessage().contains("demo.allowed"), e.getMessage());
        }
        assertEquals("public.sp_log", ParameterValidator.validate(BOUNDED, json("{}")).get("spname"), "the configured default");
    }

    @Test
    void globsMatchWholeValues() {
        assertTrue(ParamSpec.globMatches("s3://raw/*", "s3://raw/nyc/2024/"));
        assertTrue(ParamSpec.globMatches("*", "anything"));
        assertTrue(ParamSpec.globMatches("a*c*e", "abcde"));
        assertTrue(!ParamSpec.globMatches("s3://raw/*", "s3://raw-other/x"));
        assertTrue(!ParamSpec.globMatches("s3://raw/", "s3://raw/x"));
        assertTrue(!ParamSpec.globMatches("a.b", "axb"), "a dot is a dot, not a regex");
    }
}
