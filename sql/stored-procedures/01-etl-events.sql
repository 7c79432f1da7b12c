CREATE TABLE IF NOT EXISTS public.etl_events (
    event_time timestamp NOT NULL,
    message    varchar(256)
)
