-- A scheduled route flown daily: flight number, origin, destination and planned times.
CREATE TABLE IF NOT EXISTS airline.dim_flight (
    flight_key               INTEGER    NOT NULL PRIMARY KEY,
    flight_number            VARCHAR(8) NOT NULL,
    origin_airport_key       INTEGER    NOT NULL REFERENCES airline.dim_airport (airport_key),
    destination_airport_key  INTEGER    NOT NULL REFERENCES airline.dim_airport (airport_key),
    departure_time           CHAR(5)    NOT NULL,
    block_minutes            SMALLINT   NOT NULL,
    distance_km              INTEGER    NOT NULL
) DISTSTYLE ALL SORTKEY (flight_key)
