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

    @Test
    void awsUnreachableOrOverloadedAnswers503WithRetryAfterAndAnErrorId() {
        Throwable refused = software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to execute HTTP request: Connect to 127.0.0.1:4566 failed: Connection refused",
                new java.net.ConnectException("Connection refused"));
        Throwable throttled = software.amazon.awssdk.services.dynamodb.model.DynamoDbException.builder()
                .message("Rate exceeded").statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("ThrottlingException").build()).build();
        Throwable failing = software.amazon.awssdk.services.dynamodb.model.DynamoDbException.builder()
                .message("We encountered an internal error").statusCode(500).build();
        Throwable timedOut = software.amazon.awssdk.core.exception.ApiCallTimeoutException.create(10_000);
        for (Throwable e : java.util.List.of(refused, throttled, failing, timedOut,
                new java.util.concurrent.CompletionException(new RuntimeException(refused)))) {
            Response r = new ApiErrors(false).unexpected(e);
            assertEquals(503, r.getStatus(), e.toString());
            assertEquals(String.valueOf(ApiErrors.RETRY_AFTER_SECONDS), r.getHeaderString("Retry-After"));
            Map<?, ?> body = (Map<?, ?>) r.getEntity();
            assertEquals("aws_unavailable", body.get("error"));
            assertTrue(((String) body.get("message")).contains((String) body.get("errorId")), body.toString());
            assertFalse(((String) body.get("message")).contains("127.0.0.1"), body.toString());
        }
    }

    @Test
    void aPassingOutageAsksToRetryAndAMissingConfigurationDoesNot() {
        ApiErrors errors = new ApiErrors(false);
        Response submitted = errors.api(new ApiException(503, "aws_unavailable", "the read was submitted as q1",
                Map.of("queryId", "q1")));
        assertEquals("5", submitted.getHeaderString("Retry-After"));
        assertEquals("q1", ((Map<?, ?>) submitted.getEntity()).get("queryId"));
        assertEquals("5", errors.api(new ApiException(503, "no_consumer", "none healthy")).getHeaderString("Retry-After"));
        assertEquals(null, errors.api(new ApiException(503, "queries_not_configured", "no reader")).getHeaderString("Retry-After"));
    }

    @Test
    void whatAwsRefusesOrAClientMisconfigurationStays500() {
        Throwable denied = software.amazon.awssdk.services.dynamodb.model.DynamoDbException.builder()
                .message("not authorized").statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("AccessDeniedException").build()).build();
        Throwable noCredentials = software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain");
        for (Throwable e : java.util.List.of(denied, noCredentials)) {
            assertEquals(500, new ApiErrors(false).unexpected(e).getStatus(), e.toString());
        }
    }
}
