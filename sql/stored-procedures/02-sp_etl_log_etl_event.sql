CREATE OR REPLACE PROCEDURE public.sp_etl_log_etl_event(p_message varchar(256)) AS $$
BEGIN
    -- p_message arrives as a bound Data API parameter: whatever it holds is data, never SQL
    INSERT INTO public.etl_events (event_time, message) VALUES (getdate(), p_message);
END;
$$ LANGUAGE plpgsql
