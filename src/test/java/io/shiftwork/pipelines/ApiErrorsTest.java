package io.shiftwork.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

class ApiErrorsTest {

    @Test
    void anUnexpectedFailureAnswersAnErrorIdAndNoExceptionText() {
        Response r = new ApiErrors(false).unexpected(new IllegalStateException("table prod-secrets at 10.0.0.7 is gone"));
        assertEquals(500, r.getStatus());
        Map<?, ?> body = (Map<?, ?>) r.getEntity();
        assertEquals("internal_error", body.get("error"));
        String id = (String) body.get("errorId");
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        String message = (String) body.get("message");
        assertTrue(message.contains(id), message);
        assertFalse(message.contains("prod-secrets") || message.contains("10.0.0.7"), message);
    }

    @Test
    void withErrorDetailsOnTheTextIsAddedForDevelopers() {
        Map<?, ?> body = (Map<?, ?>) new ApiErrors(true).unexpected(new IllegalStateException("boom")).getEntity();
        assertTrue(((String) body.get("message")).endsWith(": boom"), body.toString());
    }

    @Test
    void clientErrorsKeepTheirExtraFields() {
        Map<?, ?> body = (Map<?, ?>) new ApiErrors(false)
                .api(new ApiException(409, "run_in_progress", "busy", Map.of("runningRunId", "r1"))).getEntity();
        assertEquals(Map.of("error", "run_in_progress", "message", "busy", "runningRunId", "r1"), body);
    }
}
