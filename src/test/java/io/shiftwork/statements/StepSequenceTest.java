package io.shiftwork.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepSequenceTest {

    @Test
    void aStepIsADirectRouteOrAnSqlFileNamedAfterTheFile() {
        assertEquals("unload-volume-analysis", StepSequence.stepName("direct:unload-volume-analysis"));
        assertEquals("01-nyc_yellow_taxi", StepSequence.stepName("sql:etl/01-nyc_yellow_taxi.sql"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StepSequence.stepName("sql:etl/setup.txt"))
                .getMessage().contains("sql:<path>/<name>.sql"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StepSequence.stepName("seda:x?y=1"))
                .getMessage().contains("direct:<name> or sql:<file>.sql"));
    }
}
