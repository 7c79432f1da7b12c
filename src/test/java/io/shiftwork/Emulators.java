package io.shiftwork;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A test's handle on the shared emulators: endpoints, and the local Redshift's /_emulator controls over HTTP. */
public final class Emulators {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Map<String, String> config;

    Emulators(Map<String, String> config) {
        this.config = config;
    }

    public URI redshiftEndpoint() {
        return URI.create(config.get("shiftwork.aws.endpoints.redshift-data"));
    }

    public URI motoEndpoint() {
        return URI.create(config.get("shiftwork.aws.endpoint-override"));
    }

    /** Arms a fault: action fail, hang or delay, on the next statement whose SQL matches the regex. */
    public void fault(String action, String regex, String message, double seconds) {
        StringBuilder body = new StringBuilder("{\"action\":\"").append(action).append("\",\"pattern\":")
                .append(quote(regex)).append(",\"seconds\":").append(seconds);
        if (message != null) {
            body.append(",\"message\":").append(quote(message));
        }
        admin("faults", body.append('}').toString());
    }

    /**
     * Arms a refusal: ExecuteStatement of SQL matching the regex answers this AWS error code ({@code
     * InternalServerException} with HTTP 500, others 400), {@code times} times (negative: until reset).
     */
    public void refuse(String regex, String code, int times) {
        admin("faults", "{\"action\":\"refuse\",\"pattern\":" + quote(regex) + ",\"code\":" + quote(code)
                + ",\"message\":" + quote("refused by the local Redshift (" + code + ")") + ",\"times\":" + times + "}");
    }

    /** Removes the faults armed with this regex. */
    public void disarm(String regex) {
        admin("disarm", "{\"pattern\":" + quote(regex) + "}");
    }

    /** How many ExecuteStatements the local Redshift received under this statement name, refused ones included. */
    public int executeRequests(String statementName) {
        String body = post("requests", "{\"statementName\":" + quote(statementName) + "}");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"executeRequests\"\\s*:\\s*(\\d+)").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer " + body);
        }
        return Integer.parseInt(m.group(1));
    }

    public void throttle(double rate) {
        admin("throttle", "{\"rate\":" + rate + "}");
    }

    /** The next {@code times} requests of this Data API operation answer ThrottlingException (0: none). */
    public void throttleNext(String operation, int times) {
        admin("throttle", "{\"operation\":" + quote(operation) + ",\"times\":" + times + "}");
    }

    /** resultPageRows, maxActiveStatements or restoreMillis. */
    public void setting(String name, long value) {
        admin("settings", "{\"" + name + "\":" + value + "}");
    }

    public void admin(String command, String body) {
        post(command, body);
    }

    private String post(String command, String body) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(redshiftEndpoint().resolve("/_emulator/" + command))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("emulator " + command + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
