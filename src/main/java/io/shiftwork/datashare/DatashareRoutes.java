package io.shiftwork.datashare;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.builder.RouteBuilder;

/**
 * The statement steps the datashare flow may plan, one route each (a run's steps are named routes): the SQL of
 * each comes from the run's plan ({@link DatashareFlow#statement}). The flow itself is routes/datashare.camel.yaml.
 */
@ApplicationScoped
public class DatashareRoutes extends RouteBuilder {

    @Override
    public void configure() {
        step("datashare-create", "CREATE DATASHARE on the producer");
        step("datashare-publicly-accessible", "ALTER DATASHARE ... SET PUBLICACCESSIBLE on the producer");
        for (int i = 1; i <= DatasharePlanner.MAX_PER_KIND; i++) {
            step("datashare-add-schema-" + i, "ALTER DATASHARE ... ADD SCHEMA for configured schema " + i);
            step("datashare-add-tables-" + i, "ALTER DATASHARE ... ADD ALL TABLES IN SCHEMA for configured schema " + i);
            step("datashare-grant-" + i, "GRANT USAGE ON DATASHARE ... TO NAMESPACE for configured consumer " + i);
            step("datashare-revoke-" + i, "REVOKE USAGE ON DATASHARE ... FROM NAMESPACE, a namespace no longer configured");
            step("datashare-create-database-" + i, "CREATE DATABASE ... FROM DATASHARE on configured consumer " + i);
            step("datashare-grant-reader-" + i, "GRANT USAGE ON DATABASE ... TO the routed reads' user on consumer " + i);
        }
    }

    private void step(String id, String description) {
        from("direct:" + id).routeId(id).description(description)
                .bean("datashareFlow", "statement")
                .to("direct:redshift-statement");
    }
}
