-- Daily trip volume: what the chain UNLOADs to S3.
CREATE MATERIALIZED VIEW public.nyc_yellow_taxi_volume_analysis AS
SELECT CAST(pickup_datetime AS DATE)       AS pickup_date,
       COUNT(*)                            AS trips,
       SUM(passenger_count)                AS passengers,
       ROUND(AVG(trip_distance), 2)        AS avg_trip_distance,
       ROUND(AVG(fare_amount), 2)          AS avg_fare,
       SUM(total_amount)                   AS revenue
FROM public.nyc_yellow_taxi
GROUP BY CAST(pickup_datetime AS DATE);
