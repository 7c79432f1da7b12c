-- Fact: one operated (or cancelled) flight per flight and day.
CREATE TABLE IF NOT EXISTS airline.flight_operations (
    operation_id             BIGINT      NOT NULL PRIMARY KEY,
    flight_key               INTEGER     NOT NULL REFERENCES airline.dim_flight (flight_key),
    date_key                 INTEGER     NOT NULL REFERENCES airline.dim_date (date_key),
    aircraft_key             INTEGER     NOT NULL REFERENCES airline.dim_aircraft (aircraft_key),
    scheduled_departure      TIMESTAMP   NOT NULL,
    actual_departure         TIMESTAMP,
    departure_delay_minutes  INTEGER,
    status                   VARCHAR(10) NOT NULL,
    seats                    SMALLINT    NOT NULL,
    passengers               SMALLINT    NOT NULL
) DISTKEY (flight_key) COMPOUND SORTKEY (date_key, flight_key)
