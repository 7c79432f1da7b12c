package io.shiftwork.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The one place AWS is wired: every SDK client and every Camel aws2 component is built from these keys.
 */
@ConfigMapping(prefix = "shiftwork.aws")
public interface AwsConfig {

    /** AWS region of every client. */
    @WithDefault("us-east-1")
    String region();

    /** Sends every client to this endpoint (an emulator) instead of AWS. */
    Optional<URI> endpointOverride();

    /**
     * Per-service endpoint overrides keyed by SDK service id in lower case with dashes
     * (redshift-data, redshift-serverless, ...); they win over {@link #endpointOverride()}.
     */
    Map<String, URI> endpoints();

    /** {@code default}: the SDK's default provider chain. {@code static}: fixed keys, meant for emulators only. */
    @WithDefault("default")
    CredentialsType credentials();

    /** Access key id when {@code credentials=static}. */
    Optional<String> accessKeyId();

    /** Secret key when {@code credentials=static}. */
    Optional<String> secretAccessKey();

    /**
     * Attempts per AWS call, the first included, under the SDK's adaptive retry mode (ADAPTIVE_V2: throttling and
     * transient errors retried with backoff, and a client-side rate that slows after throttling). The only retry of a
     * call: nothing in Shiftwork wraps it in another loop.
     */
    @WithDefault("3")
    int maxAttempts();

    /**
     * The longest one AWS call may take, its retries included (the SDK's apiCallTimeout): past it the call fails
     * with ApiCallTimeoutException, which the HTTP API answers as 503 {@code aws_unavailable}. SQS calls get 20 s
     * more (a long poll lasts up to 20 s, SQS's maximum).
     */
    @WithDefault("30s")
    Duration apiCallTimeout();

    /** The longest one attempt of an AWS call may take (the SDK's apiCallAttemptTimeout); SQS's get 20 s more. */
    @WithDefault("10s")
    Duration apiCallAttemptTimeout();

    enum CredentialsType {
        DEFAULT, STATIC
    }
}
