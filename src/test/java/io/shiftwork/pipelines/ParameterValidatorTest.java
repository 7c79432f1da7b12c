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
}
