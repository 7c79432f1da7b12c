package io.shiftwork.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.shiftwork.local.redshift.LocalRedshift;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshift.model.ClusterAlreadyExistsException;

/**
 * One call brings up every local emulator on free loopback ports — moto (AWS control planes), an embedded
 * PostgreSQL and the local Redshift (Data API + Serverless) over it — and returns the configuration that
 * points Shiftwork at them. Used by the tests (through a test resource), by the local run and by the
 * stand-alone {@link LocalAwsMain}. Never on the production path.
 */
public final class LocalAws implements AutoCloseable {

    public static final String REGION = "us-east-1";
    /** The cluster the dev profile runs its statements on. */
    public static final String LOCAL_RUN_CLUSTER = "shiftwork-local";

    private final MotoServer moto;
    private final LocalRedshift redshift;
    /** The user pool signing in to the service (moto's cognito-idp); a new one after every reset. */
    private volatile LocalCognito cognito;

    private LocalAws(MotoServer moto, LocalRedshift redshift) {
        this.moto = moto;
        this.redshift = redshift;
        this.cognito = LocalCognito.create(moto.endpoint(), REGION, USER_POOL);
    }

    /** The local user pool's name. */
    public static final String USER_POOL = "shiftwork-local";

    public static LocalAws start(Path workDir) {
        MotoServer moto = MotoServer.start(workDir);
        try {
            LocalRedshift redshift = LocalRedshift.start(workDir, moto.endpoint(), REGION);
            try {
                // moto tells the local Redshift of snapshots, copies, restores and cluster changes
                moto.configure(Map.of("redshiftHook", redshift.endpoint().toString()));
                // Serverless workgroups get their VPC endpoints in moto's default VPC (new after every moto reset)
                redshift.serverless().vpc(moto::defaultVpc);
                return new LocalAws(moto, redshift);
            } catch (RuntimeException e) {
                redshift.close();
                throw e;
            }
        } catch (RuntimeException e) {
            moto.close();
            throw e;
        }
    }

    public MotoServer moto() {
        return moto;
    }

    public LocalRedshift redshift() {
        return redshift;
    }

    /** The user pool with the demo users (viewer, reader, operator, admin) and their passwords of this start. */
    public LocalCognito cognito() {
        return cognito;
    }

    /** Endpoints by name, for people. */
    public Map<String, String> endpoints() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("moto (redshift, eventbridge, sqs, sns, dynamodb, s3, cloudwatch, lambda, cognito-idp)", moto.endpoint().toString());
        e.put("local Redshift (redshift-data, redshift-serverless)", redshift.endpoint().toString());
        e.put("PostgreSQL behind it", "postgresql://postgres@127.0.0.1:" + redshift.postgresPort() + "/postgres");
        return e;
    }

    /** The configuration keys that point Shiftwork at these emulators. */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("shiftwork.aws.region", REGION);
        c.put("shiftwork.aws.endpoint-override", moto.endpoint().toString());
        c.put("shiftwork.aws.endpoints.redshift-data", redshift.endpoint().toString());
        c.put("shiftwork.aws.endpoints.redshift-serverless", redshift.endpoint().toString());
        c.put("shiftwork.aws.credentials", "static");
        c.put("shiftwork.aws.access-key-id", "local");
        c.put("shiftwork.aws.secret-access-key", "local");
        // sign-in: quarkus-oidc accepts the local pool's tokens; the banner signs the demo users in
        LocalCognito pool = cognito;
        c.putAll(pool.oidcConfig());
        c.put("shiftwork.local.cognito.endpoint", moto.endpoint().toString());
        c.put("shiftwork.local.cognito.client-id", pool.clientId());
        for (String user : LocalCognito.USERS) {
            c.put("shiftwork.local.cognito.passwords." + user, pool.password(user));
        }
        return c;
    }

    /**
     * Creates these provisioned clusters in moto (those missing) and waits until each is {@code available}: the
     * local Redshift runs statements only on clusters moto knows and says are available, as the Data API does.
     */
    public void createClusters(String... clusterIdentifiers) {
        try (RedshiftClient redshift = RedshiftClient.builder().endpointOverride(moto.endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            for (String id : clusterIdentifiers) {
                try {
                    redshift.createCluster(b -> b.clusterIdentifier(id).nodeType("ra3.xlplus").numberOfNodes(2)
                            .masterUsername("awsuser").masterUserPassword("Local-only-0"));
                } catch (ClusterAlreadyExistsException exists) {
                    // created by someone else: only its status matters
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (String id : clusterIdentifiers) {
                while (!"available".equals(redshift.describeClusters(b -> b.clusterIdentifier(id)).clusters().get(0).clusterStatus())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cluster " + id + " did not become available in moto within 60 s");
                    }
                    MotoServer.sleep(100);
                }
            }
        }
    }

    /**
     * The local run's own cluster ({@code shiftwork-local}, the dev profile's
     * {@code shiftwork.statements.cluster-identifier}) in moto, unless someone (a demo bootstrap) created it already.
     */
    public void createLocalRunCluster() {
        createClusters(LOCAL_RUN_CLUSTER);
    }

    /** Forgets everything the emulators hold. */
    public void reset() {
        moto.reset();
        redshift.reset();
        cognito = LocalCognito.create(moto.endpoint(), REGION, USER_POOL);
    }


    @Override
    public void close() {
        redshift.close();
        moto.close();
    }
}
