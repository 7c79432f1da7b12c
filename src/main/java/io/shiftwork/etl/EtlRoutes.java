package io.shiftwork.etl;

import org.apache.camel.builder.RouteBuilder;

/** Machinery behind the YAML chain: an UNLOAD step is a statement step with its SQL built from the run. */
public class EtlRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:redshift-unload").routeId("redshift-unload")
                .description("UNLOADs the query in header shiftworkUnloadQuery to s3://<bucket>/<prefix>/<run-id>/<step>_")
                .bean("unloads", "prepare")
                .to("direct:redshift-statement");
    }
}
