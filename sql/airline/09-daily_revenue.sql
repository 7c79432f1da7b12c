-- Aggregate: confirmed bookings per flight and day (refreshed by 10-daily_revenue-refresh.sql).
CREATE TABLE IF NOT EXISTS airline.daily_revenue (
    date_key        INTEGER       NOT NULL,
    flight_key      INTEGER       NOT NULL,
    bookings_count  INTEGER       NOT NULL,
    revenue         DECIMAL(12,2) NOT NULL,
    PRIMARY KEY (date_key, flight_key)
) DISTKEY (flight_key) SORTKEY (date_key)
