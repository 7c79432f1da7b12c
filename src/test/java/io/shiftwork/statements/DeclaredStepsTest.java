package io.shiftwork.statements;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.language.ConstantExpression;
import org.junit.jupiter.api.Test;

class DeclaredStepsTest {

    private static DefaultCamelContext flow(String routeId, String steps) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        RouteDefinition route = new RouteDefinition();
        route.from("direct:pipeline-" + routeId).routeId(routeId);
        route.addOutput(new SetHeaderDefinition(StepSequence.STEPS, new ConstantExpression(steps)));
        route.addOutput(new ToDefinition("direct:shiftwork-sequence"));
        camel.addRouteDefinition(route);
        return camel;
    }

    @Test
    void aStepDeclaredWrongStopsTheStartNamingItsRoute() throws Exception {
        try (DefaultCamelContext camel = flow("bad-flow", "- name: load\n  kind: query\n")) {
            String message = assertThrows(IllegalStateException.class, () -> new DeclaredSteps(camel).check(null)).getMessage();
            assertTrue(message.contains("route 'bad-flow'") && message.contains("kind 'query'"), message);
        }
    }

    @Test
    void wellDeclaredStepsPass() throws Exception {
        try (DefaultCamelContext camel = flow("good-flow", "- name: load\n  kind: batch\n  statements: [SELECT 1, SELECT 2]\n")) {
            assertDoesNotThrow(() -> new DeclaredSteps(camel).check(null));
        }
    }
}
