package io.shiftwork.pipelines;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.shiftwork.LocalAwsTestResource;

/** Outside dev and test (shiftwork.smoke.enabled=false) there is no smoke pipeline to hold run threads with. */
@QuarkusTest
@TestProfile(SmokeDisabledTest.ProductionLike.class)
@QuarkusTestResource(value = LocalAwsTestResource.class, restrictToAnnotatedClass = true)
class SmokeDisabledTest {

    public static class ProductionLike implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shiftwork.smoke.enabled", "false");
        }
    }

    @ConfigProperty(name = "shiftwork.smoke.enabled")
    boolean smokeEnabled;

    @Test
    void theSmokePipelineIsNotOffered() {
        Assertions.assertFalse(smokeEnabled, "the override took effect");
        given().get("/pipelines").then().statusCode(200)
                .body("name", not(hasItem("smoke")))
                .body("name", hasItem("etl-unload-notify"));
        given().contentType(ContentType.JSON).body("{\"delayMs\": 60000}").post("/pipelines/smoke/runs").then()
                .statusCode(404).body("error", equalTo("not_found")).body("message", containsString("no pipeline named 'smoke'"));
    }
}
