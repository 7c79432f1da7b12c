package io.shiftwork.pool;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.shiftwork.Emulators;
import io.shiftwork.LocalAwsTestResource;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;
import software.amazon.awssdk.services.redshiftserverless.model.ConflictException;
import software.amazon.awssdk.services.redshiftserverless.model.Endpoint;

/**
 * The consumer pool against the emulators: two Serverless consumers (local Redshift), an NLB target group (moto's
 * elbv2), checks driven directly, and what the target group ends up holding after a consumer stops answering SQL and
 * recovers. %test: unhealthy-threshold 1, healthy-threshold 2, query-timeout PT1S.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class ConsumerPoolTest {

    static final String ONE = "pool-consumer-1";
    static final String TWO = "pool-consumer-2";

    @Inject
    ConsumerPool pool;
    @Inject
    PoolConfig config;
    @Inject
    ElasticLoadBalancingV2Client elb;
    @Inject
    RedshiftServerlessClient serverless;

    Emulators emulators;
    @Inject
    ConsumerProbe probe;

    @BeforeEach
    void twoHealthyConsumers() {
        assertEquals(List.of(ONE, TWO), config.consumers().orElseThrow(), "the %test pool keys took effect");
        for (String w : List.of(ONE, TWO)) {
            try {
                serverless.createNamespace(b -> b.namespaceName(w).dbName("dev"));
                serverless.createWorkgroup(b -> b.workgroupName(w).namespaceName(w));
            } catch (ConflictException exists) {
                // created by an earlier test
            }
            emulators.admin("disarm", "{\"workgroup\":\"" + w + "\"}");
            emulators.admin("workgroup-status", "{\"workgroup\":\"" + w + "\",\"status\":\"AVAILABLE\"}");
        }
        pool.check();
        pool.check();
        assertEquals(List.of(ONE, TWO), pool.healthy());
        assertEquals(Set.of(endpoint(ONE), endpoint(TWO)), registered());
    }

    /** ip:port of the workgroup's VPC endpoint, as GetWorkgroup says. */
    private String endpoint(String workgroup) {
        Endpoint e = serverless.getWorkgroup(b -> b.workgroupName(workgroup)).workgroup().endpoint();
        return e.vpcEndpoints().get(0).networkInterfaces().get(0).privateIpAddress() + ":" + e.port();
    }

    /** What the target group holds: DescribeTargetHealth's targets that are not draining. */
    private Set<String> registered() {
        return elb.describeTargetHealth(b -> b.targetGroupArn(pool.targetGroupArn().orElseThrow()))
                .targetHealthDescriptions().stream()
                .filter(d -> d.targetHealth().state() != TargetHealthStateEnum.DRAINING)
                .map(ConsumerPoolTest::target).collect(Collectors.toSet());
    }

    private static String target(TargetHealthDescription d) {
        return d.target().id() + ":" + d.target().port();
    }

    /** The parameters of every consumer-pool run, with its runId. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> runs() {
        List<Map<String, Object>> runs = given().get("/pipelines/consumer-pool/runs?limit=100").then().statusCode(200)
                .extract().jsonPath().getList("$");
        return runs.stream().map(r -> {
            Map<String, Object> p = new java.util.HashMap<>((Map<String, Object>) r.get("parameters"));
            p.put("runId", r.get("runId"));
            return p;
        }).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitRun(String consumer, String change, String reasonPart) {
        Map<String, Object>[] found = new Map[1];
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                found[0] = runs().stream().filter(p -> Objects.equals(consumer, p.get("consumer")) && change.equals(p.get("change"))
                        && String.valueOf(p.get("reason")).contains(reasonPart)).findFirst().orElse(null);
                return found[0] != null;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no " + change + " run of " + consumer + " saying '" + reasonPart + "' in "
                    + given().get("/pipelines/consumer-pool/runs?limit=100").asString(), e);
        }
        return found[0];
    }

    @Test
    void aConsumerThatStopsAnsweringSqlIsDeregisteredAfterOneCheckAndRegisteredAgainOnceItRecovers() {
        String one = endpoint(ONE);
        String two = endpoint(TWO);
        assertTrue(one.matches("172\\.31\\.\\d+\\.\\d+:5439"), one + " is an address of the consumers' VPC");
        String tgVpc = elb.describeTargetGroups(b -> b.targetGroupArns(pool.targetGroupArn().orElseThrow()))
                .targetGroups().get(0).vpcId();
        assertEquals(serverless.getWorkgroup(b -> b.workgroupName(ONE)).workgroup().endpoint().vpcEndpoints().get(0).vpcId(),
                tgVpc, "bootstrap created the target group in the consumers' VPC");

        emulators.admin("faults", "{\"action\":\"fail\",\"pattern\":\"SELECT 1\",\"workgroup\":\"" + TWO
                + "\",\"times\":-1,\"message\":\"ERROR: could not serialize access (injected)\"}");
        pool.check();
        assertEquals(Set.of(one), registered(), "deregistered after one failed check");
        assertEquals(List.of(ONE), pool.healthy());
        PoolReadTargets reads = new PoolReadTargets(queriesOn(ONE, TWO, "cluster:elsewhere"), pool);
        assertEquals(List.of(ONE, "cluster:elsewhere"), reads.candidates().stream().map(Object::toString).toList(),
                "routed reads skip the consumer the pool took out (a consumer the pool does not check stays)");
        Map<String, Object> out = awaitRun(TWO, "deregister", "could not serialize access");
        assertEquals(two, out.get("targets"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> "SUCCEEDED".equals(
                given().get("/runs/" + out.get("runId")).path("status")));
        assertEquals("deregister", given().get("/runs/" + out.get("runId")).path("steps[0].name"));

        emulators.admin("disarm", "{\"workgroup\":\"" + TWO + "\"}");
        pool.check();
        assertEquals(Set.of(one), registered(), "one passed check of the two the healthy threshold asks");
        pool.check();
        assertEquals(Set.of(one, two), registered(), "registered again");
        assertEquals(List.of(ONE, TWO), pool.healthy());
        assertEquals(List.of(ONE, TWO, "cluster:elsewhere"), reads.candidates().stream().map(Object::toString).toList());
        awaitRun(TWO, "register", "2 checks in a row passed");

        JsonPath state = given().get("/consumer-pool").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(ONE, TWO), state.getList("healthy"));
        assertEquals("HEALTHY", state.getString("consumers[1].status.state"));
    }

    /** shiftwork.queries.* with these consumers and every other key absent. */
    private static io.shiftwork.queries.QueriesConfig queriesOn(String... consumers) {
        return (io.shiftwork.queries.QueriesConfig) java.lang.reflect.Proxy.newProxyInstance(ConsumerPoolTest.class.getClassLoader(),
                new Class<?>[] {io.shiftwork.queries.QueriesConfig.class}, (proxy, method, args) -> "consumers".equals(method.getName())
                        ? java.util.Optional.of(List.of(consumers)) : java.util.Optional.empty());
    }

    @Test
    void aWorkgroupNotAvailableOrSlowerThanTheTimeoutLeavesThePoolAndStrayTargetsAreRemoved() {
        String one = endpoint(ONE);
        String two = endpoint(TWO);
        emulators.admin("workgroup-status", "{\"workgroup\":\"" + ONE + "\",\"status\":\"MODIFYING\"}");
        String arn = pool.targetGroupArn().orElseThrow();
        elb.registerTargets(b -> b.targetGroupArn(arn).targets(t -> t.id("172.31.250.9").port(5439)));
        pool.check();
        assertEquals(Set.of(two), registered(), "one out, and the stray target too");
        awaitRun(ONE, "deregister", "workgroup is MODIFYING");
        assertTrue(runs().stream().anyMatch(p -> p.get("consumer") == null && "172.31.250.9:5439".equals(p.get("targets"))),
                "the stray target's deregister is a run");

        emulators.admin("workgroup-status", "{\"workgroup\":\"" + ONE + "\",\"status\":\"AVAILABLE\"}");
        pool.check();
        pool.check();
        assertEquals(Set.of(one, two), registered());

        emulators.admin("faults", "{\"action\":\"hang\",\"pattern\":\"SELECT 1\",\"workgroup\":\"" + TWO + "\",\"times\":-1}");
        long started = System.nanoTime();
        pool.check();
        long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertEquals(Set.of(one), registered());
        assertTrue(tookMs < 5000, "a hung consumer costs the check its 1 s query timeout, not more: took " + tookMs + " ms");
        awaitRun(TWO, "deregister", "did not finish within PT1S");
    }

    @Test
    void aThrottledDataApiSaysNothingOfTheConsumersAndMovesNoTarget() {
        Set<String> both = registered();
        emulators.throttle(1.0);
        try {
            pool.check();
            assertEquals(both, registered(), "ExecuteStatement refused: Rate exceeded is the Data API's, not the consumers'");
            assertEquals(List.of(ONE, TWO), pool.healthy());
            JsonPath state = given().get("/consumer-pool").then().statusCode(200).extract().jsonPath();
            assertEquals("HEALTHY", state.getString("consumers[0].status.state"));
            assertTrue(state.getString("consumers[0].inconclusive").contains("throttled"), state.prettify());
            assertNull((Object) state.get("failingOpen"));
        } finally {
            emulators.throttle(0);
        }
        pool.check();
        JsonPath state = given().get("/consumer-pool").then().statusCode(200).extract().jsonPath();
        assertNull((Object) state.get("consumers[0].inconclusive"), "a conclusive check clears it");
    }

    @Test
    void whenEveryConsumerFailsThePoolFailsOpenKeepingItsTargetsUntilOneIsHealthyAgain() {
        String one = endpoint(ONE);
        for (String w : List.of(ONE, TWO)) {
            emulators.admin("faults", "{\"action\":\"fail\",\"pattern\":\"SELECT 1\",\"workgroup\":\"" + w
                    + "\",\"times\":-1,\"message\":\"ERROR: out of memory (injected)\"}");
        }
        Set<String> both = registered();
        long failOpenRuns = runs().stream().filter(p -> "fail-open".equals(p.get("change"))).count();
        pool.check();
        assertEquals(both, registered(), "an empty target group would refuse every BI connection: the NLB fails open too");
        assertEquals(List.of(), pool.healthy());
        JsonPath state = given().get("/consumer-pool").then().statusCode(200).extract().jsonPath();
        assertTrue(state.getString("failingOpen.reason").contains("failing open"), state.prettify());
        assertTrue(state.getString("failingOpen.reason").contains("out of memory"), state.prettify());
        assertEquals(both, Set.copyOf(state.getList("failingOpen.kept")));
        PoolReadTargets reads = new PoolReadTargets(queriesOn(ONE, TWO), pool);
        assertEquals(List.of(ONE, TWO), reads.candidates().stream().map(Object::toString).toList(),
                "routed reads fail open as well");
        Map<String, Object> run = awaitRun(null, "fail-open", "out of memory");
        assertEquals(both, Set.of(String.valueOf(run.get("targets")).split(",")));
        pool.check();
        assertEquals(failOpenRuns + 1, runs().stream().filter(p -> "fail-open".equals(p.get("change"))).count(),
                "one run when it starts failing open, not one per check");

        emulators.admin("disarm", "{\"workgroup\":\"" + ONE + "\"}");
        pool.check();
        pool.check();
        assertEquals(Set.of(one), registered(), "back to the healthy consumers once there is one");
        assertNull((Object) given().get("/consumer-pool").path("failingOpen"));
        assertEquals(List.of(ONE), reads.candidates().stream().map(Object::toString).toList());
    }

    @Test
    void theCheckQueryFailingOnTheConsumerIsAFailureNotInconclusive() {
        ConsumerProbe.Result r = probe.check(ONE, "dev", Duration.ofSeconds(1), "SELECT 1 FROM no_such_table LIMIT 1");
        assertTrue(!r.passed() && !r.inconclusive(), r.toString());
        assertTrue(r.failure().startsWith("SELECT 1 FROM no_such_table LIMIT 1 FAILED"), r.failure());
        assertTrue(probe.check(ONE, "dev", Duration.ofSeconds(1), "SELECT 1").passed());
    }
}
