package io.shiftwork.datashare;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The datashare flow (routes/datashare.camel.yaml): who shares what with whom. */
@ConfigMapping(prefix = "shiftwork.datashare")
public interface DatashareConfig {

    /** The producer's Serverless workgroup: the datashare is created in its namespace. */
    Optional<String> producer();

    /** The consumers' Serverless workgroups; a namespace granted earlier but no longer listed is revoked. */
    Optional<List<String>> consumers();

    /** Schemas of the producer's database shared with all their tables. */
    @WithDefault("public")
    List<String> schemas();

    /** The datashare's name. */
    @WithDefault("shiftwork_share")
    String share();

    /** SET PUBLICACCESSIBLE: needed when a consumer workgroup is publicly accessible. */
    @WithDefault("false")
    boolean publiclyAccessible();

    /** The database each consumer creates FROM DATASHARE (read as {@code <consumer-database>.<schema>.<table>}). */
    @WithDefault("shared")
    String consumerDatabase();

    /** The database the statements run in, on the producer (where the shared schemas are) and on each consumer. */
    @WithDefault("dev")
    String database();
}
