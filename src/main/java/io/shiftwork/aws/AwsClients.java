package io.shiftwork.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.forecast.ForecastClient;
import software.amazon.awssdk.services.forecastquery.ForecastqueryClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Produces every AWS SDK client of the service from {@link AwsConfig}. Camel's aws2 components autowire
 * these beans, so routes never build clients. (DynamoDB's and S3's builders come from their Quarkus extensions,
 * which keep their HTTP clients; everything else is set here as for every client.)
 */
@ApplicationScoped
public class AwsClients {

    private final AwsConfig config;
    private final SdkHttpClient http;

    /** What SQS calls get on top of the timeouts: SQS's longest long poll (ReceiveMessage WaitTimeSeconds 20). */
    static final Duration SQS_LONG_POLL = Duration.ofSeconds(20);

    public AwsClients(AwsConfig config) {
        this.config = config;
        check(config);
        this.http = ApacheHttpClient.builder()
                .maxConnections(128)
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(60))
                .build();
    }

    @PreDestroy
    void close() {
        http.close();
    }

    public AwsCredentialsProvider credentials() {
        if (config.credentials() == AwsConfig.CredentialsType.STATIC) {
            String id = config.accessKeyId().orElseThrow(() -> new IllegalStateException(
                    "shiftwork.aws.access-key-id is required when shiftwork.aws.credentials=static"));
            String secret = config.secretAccessKey().orElseThrow(() -> new IllegalStateException(
                    "shiftwork.aws.secret-access-key is required when shiftwork.aws.credentials=static"));
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * The one retry policy of every client: the SDK's adaptive mode (ADAPTIVE_V2), {@code shiftwork.aws.max-attempts}
     * attempts. Its client-side rate limiter is per client, so each replica slows on its own after throttling.
     */
    public RetryStrategy retryStrategy() {
        return AwsRetryStrategy.forRetryMode(RetryMode.ADAPTIVE_V2).toBuilder().maxAttempts(config.maxAttempts()).build();
    }

    /** The endpoint a service is sent to, if not AWS itself. */
    public Optional<URI> endpointFor(String serviceId) {
        URI specific = config.endpoints().get(serviceId);
        return specific != null ? Optional.of(specific) : config.endpointOverride();
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String serviceId) {
        builder.httpClient(http);
        return configure(builder, serviceId);
    }

    /** Stops start-up, naming the key, when a timeout cannot work. */
    static void check(AwsConfig config) {
        if (config.maxAttempts() < 1) {
            throw new IllegalStateException("shiftwork.aws.max-attempts must be at least 1, got " + config.maxAttempts());
        }
        if (config.apiCallAttemptTimeout().isNegative() || config.apiCallAttemptTimeout().isZero()) {
            throw new IllegalStateException("shiftwork.aws.api-call-attempt-timeout must be positive, got "
                    + config.apiCallAttemptTimeout());
        }
        if (config.apiCallTimeout().compareTo(config.apiCallAttemptTimeout()) < 0) {
            throw new IllegalStateException("shiftwork.aws.api-call-timeout (" + config.apiCallTimeout()
                    + ") must be at least shiftwork.aws.api-call-attempt-timeout (" + config.apiCallAttemptTimeout() + ")");
        }
    }

    /** Region, credentials, retries, timeouts and endpoint from {@link AwsConfig}; the HTTP client is left as it is. */
    private <B extends AwsClientBuilder<B, C>, C> C configure(B builder, String serviceId) {
        Duration extra = "sqs".equals(serviceId) ? SQS_LONG_POLL : Duration.ZERO;
        builder.region(Region.of(config.region()))
                .credentialsProvider(credentials())
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy())
                        .apiCallTimeout(config.apiCallTimeout().plus(extra))
                        .apiCallAttemptTimeout(config.apiCallAttemptTimeout().plus(extra)));
        endpointFor(serviceId).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Produces
    @Singleton
    SqsClient sqs() {
        return build(SqsClient.builder(), "sqs");
    }

    @Produces
    @Singleton
    SnsClient sns() {
        return build(SnsClient.builder(), "sns");
    }

    @Produces
    @Singleton
    EventBridgeClient eventBridge() {
        return build(EventBridgeClient.builder(), "eventbridge");
    }

    @Produces
    @Singleton
    LambdaClient lambda() {
        return build(LambdaClient.builder(), "lambda");
    }

    @Produces
    @Singleton
    RedshiftClient redshift() {
        return build(RedshiftClient.builder(), "redshift");
    }

    @Produces
    @Singleton
    RedshiftDataClient redshiftData() {
        return build(RedshiftDataClient.builder(), "redshift-data");
    }

    @Produces
    @Singleton
    RedshiftServerlessClient redshiftServerless() {
        return build(RedshiftServerlessClient.builder(), "redshift-serverless");
    }

    @Produces
    @Singleton
    ElasticLoadBalancingV2Client elasticLoadBalancingV2() {
        return build(ElasticLoadBalancingV2Client.builder(), "elasticloadbalancing");
    }

    @Produces
    @Singleton
    CloudWatchClient cloudWatch() {
        return build(CloudWatchClient.builder(), "cloudwatch");
    }

    @Produces
    @Singleton
    ForecastClient forecast() {
        return build(ForecastClient.builder(), "forecast");
    }

    @Produces
    @Singleton
    ForecastqueryClient forecastQuery() {
        return build(ForecastqueryClient.builder(), "forecastquery");
    }

    @Produces
    @Singleton
    DynamoDbClient dynamo(DynamoDbClientBuilder builder) {
        // quarkus-amazon-dynamodb's builder (HTTP client: quarkus.dynamodb.sync-client.*); retries and timeouts as
        // every other client's (the extension's own default was DynamoDB's 9 attempts and no call timeout)
        return configure(builder, "dynamodb");
    }

    @Produces
    @Singleton
    S3Client s3(S3ClientBuilder builder) {
        // quarkus-amazon-s3's builder: its HTTP client (Apache, quarkus.s3.apache-client.*) is already set
        // Emulators serve buckets by path, not by virtual host (in S3Configuration, where the extension keeps it).
        endpointFor("s3").ifPresent(e -> builder.serviceConfiguration(c -> c.pathStyleAccessEnabled(true)));
        return configure(builder, "s3");
    }
}
