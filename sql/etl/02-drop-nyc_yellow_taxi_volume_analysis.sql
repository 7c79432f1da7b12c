-- Redshift has no CREATE MATERIALIZED VIEW IF NOT EXISTS: setup drops and recreates the view (it holds only
-- derived data; execute_elt_process() refreshes it).
DROP MATERIALIZED VIEW IF EXISTS public.nyc_yellow_taxi_volume_analysis;
