package io.shiftwork.pipelines;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The pipeline-runs API: list pipelines, start runs, read runs. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class PipelinesResource {

    private final PipelineCatalog catalog;
    private final PipelineRunner runner;
    private final RunStore store;
    private final RunsConfig config;
    private final ObjectMapper json;

    public PipelinesResource(PipelineCatalog catalog, PipelineRunner runner, RunStore store, RunsConfig config,
            ObjectMapper json) {
        this.catalog = catalog;
        this.runner = runner;
        this.store = store;
        this.config = config;
        this.json = json;
    }

    @GET
    @Path("pipelines")
    public List<Map<String, Object>> pipelines() {
        return catalog.all().stream().map(spec -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", spec.name());
            p.put("description", spec.description());
            Map<String, Object> triggers = new LinkedHashMap<>();
            triggers.put("http", "POST /pipelines/" + spec.name() + "/runs");
            triggers.put("schedule", spec.schedule());
            p.put("triggers", triggers);
            p.put("parameters", spec.parameters());
            p.put("lastRun", store.listByPipeline(spec.name(), 1).stream().findFirst()
                    .map(r -> Map.of("runId", r.runId(), "status", r.status(), "createdAt", r.createdAt()))
                    .orElse(null));
            return p;
        }).toList();
    }

    @POST
    @Path("pipelines/{name}/runs")
    public Response startRun(@PathParam("name") String name, String body) {
        catalog.require(name);
        JsonNode parameters;
        try {
            parameters = body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed_json", "request body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        Run run = runner.start(name, parameters, "http");
        return Response.accepted(Map.of("runId", run.runId(), "status", run.status(), "pipeline", run.pipeline()))
                .location(URI.create("/runs/" + run.runId())).build();
    }

    @GET
    @Path("pipelines/{name}/runs")
    public List<Run> runs(@PathParam("name") String name, @QueryParam("limit") String limit) {
        catalog.require(name);
        return store.listByPipeline(name, parseLimit(limit));
    }

    @GET
    @Path("runs/{id}")
    public Run run(@PathParam("id") String id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
    }

    /** Cancels a run that has not ended (its statement too); 409 once it ended. */
    @POST
    @Path("runs/{id}/cancel")
    public Run cancel(@PathParam("id") String id) {
        return runner.cancel(id);
    }

    private int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 20;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= config.maxLimit()) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("invalid_limit",
                "limit must be an integer from 1 to " + config.maxLimit() + ", got '" + limit + "'");
    }
}
