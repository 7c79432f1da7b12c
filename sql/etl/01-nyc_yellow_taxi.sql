-- Raw NYC yellow-taxi trips, reloaded by execute_elt_process(). IF NOT EXISTS: setup can run again.
CREATE TABLE IF NOT EXISTS public.nyc_yellow_taxi (
    vendor_id           SMALLINT,
    pickup_datetime     TIMESTAMP,
    dropoff_datetime    TIMESTAMP,
    passenger_count     SMALLINT,
    trip_distance       DECIMAL(8, 2),
    rate_code_id        SMALLINT,
    pickup_location_id  INTEGER,
    dropoff_location_id INTEGER,
    payment_type        SMALLINT,
    fare_amount         DECIMAL(10, 2),
    tip_amount          DECIMAL(10, 2),
    total_amount        DECIMAL(10, 2)
)
DISTSTYLE AUTO
SORTKEY (pickup_datetime);
