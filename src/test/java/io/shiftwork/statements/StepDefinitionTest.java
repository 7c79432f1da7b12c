package io.shiftwork.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StepDefinitionTest {

    @Test
    void stepsAreDeclaredByKindInAYamlList() {
        List<StepDefinition> steps = StepDefinition.parseAll("""
                - name: run-elt-process
                  kind: sql
                  sql: CALL public.execute_elt_process(:source, :iam_role)
                  timeout: PT2H
                - kind: file
                  file: etl/01-nyc_yellow_taxi.sql
                - name: load
                  kind: batch
                  statements:
                    - DELETE FROM t
                    - INSERT INTO t SELECT * FROM staging
                - kind: route
                  route: direct:notify-success
                """);
        assertEquals(List.of("run-elt-process", "01-nyc_yellow_taxi", "load", "notify-success"),
                steps.stream().map(StepDefinition::name).toList());
        assertEquals(List.of(StepDefinition.Kind.SQL, StepDefinition.Kind.FILE, StepDefinition.Kind.BATCH,
                StepDefinition.Kind.ROUTE), steps.stream().map(StepDefinition::kind).toList());
        assertEquals("PT2H", steps.get(0).timeout());
        assertEquals(List.of("DELETE FROM t", "INSERT INTO t SELECT * FROM staging"), steps.get(2).statements());
        assertTrue(steps.get(2).submitsStatement(), "a batch submits a statement, known before it runs");
        assertFalse(steps.get(3).submitsStatement(), "a route step is run as it is");
    }

    @Test
    void whatIsKeptWithTheRunReadsBackTheSame() {
        StepDefinition batch = StepDefinition.of(Map.of("name", "load", "kind", "batch", "statements", List.of("SELECT 1", "SELECT 2"),
                "timeout", "PT5M"));
        assertEquals(batch, StepDefinition.of(batch.toMap()));
    }

    @Test
    void theCommaSeparatedFormIsRouteAndFileSteps() {
        List<StepDefinition> steps = StepDefinition.parseAll("direct:log-started, sql:etl/02-x.sql");
        assertEquals(StepDefinition.Kind.ROUTE, steps.get(0).kind());
        assertEquals("direct:log-started", steps.get(0).route());
        assertEquals(StepDefinition.Kind.FILE, steps.get(1).kind());
        assertEquals("02-x", steps.get(1).name());
    }

    @Test
    void aWrongDeclarationIsRefusedNamingTheStepAndTheProblem() {
        assertMessage("a step needs a kind", "- name: x\n  sql: SELECT 1");
        assertMessage("kind 'query' is not one of sql, file, batch, route", "- name: x\n  kind: query");
        assertMessage("step 1: a sql step needs sql", "- name: x\n  kind: sql");
        assertMessage("route is for route steps, not sql steps", "- name: x\n  kind: sql\n  sql: SELECT 1\n  route: direct:y");
        assertMessage("unknown field 'sqls'", "- name: x\n  kind: batch\n  sqls: [SELECT 1]");
        assertMessage("statements: 1 to 40", "- name: x\n  kind: batch\n  statements: []");
        assertMessage("timeout must be a positive ISO-8601 duration", "- name: x\n  kind: sql\n  sql: SELECT 1\n  timeout: 2h");
        assertMessage("step 'x' twice", "- name: x\n  kind: sql\n  sql: SELECT 1\n- kind: route\n  route: direct:x");
        assertMessage("results is for sql and file steps", "- kind: route\n  route: direct:x\n  results: direct:y");
        assertMessage("must be direct:<name>", "- kind: route\n  route: seda:x");
    }

    private static void assertMessage(String expected, String yaml) {
        String message = assertThrows(IllegalArgumentException.class, () -> StepDefinition.parseAll(yaml)).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
