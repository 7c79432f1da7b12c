-- Reload the trips from S3 and refresh the analysis, all or nothing. DELETE rather than TRUNCATE: TRUNCATE
-- commits inside a Redshift procedure, so a failed COPY would leave the table empty. The source and role are
-- arguments (bound as Data API parameters by the flow) and quoted here, never spliced in unquoted.
CREATE OR REPLACE PROCEDURE public.execute_elt_process(source VARCHAR(1024), iam_role VARCHAR(256))
AS $$
BEGIN
    DELETE FROM public.nyc_yellow_taxi;
    EXECUTE 'COPY public.nyc_yellow_taxi FROM ' || quote_literal(source)
        || ' IAM_ROLE ' || CASE WHEN iam_role = 'default' THEN 'default' ELSE quote_literal(iam_role) END
        || ' FORMAT AS CSV IGNOREHEADER 1 TIMEFORMAT ''auto''';
    REFRESH MATERIALIZED VIEW public.nyc_yellow_taxi_volume_analysis;
END;
$$ LANGUAGE plpgsql;
