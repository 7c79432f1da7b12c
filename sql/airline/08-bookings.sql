-- Fact: one ticket bought by a customer for a flight on a day.
CREATE TABLE IF NOT EXISTS airline.bookings (
    booking_id        BIGINT        NOT NULL PRIMARY KEY,
    customer_key      INTEGER       NOT NULL REFERENCES airline.dim_customer (customer_key),
    flight_key        INTEGER       NOT NULL REFERENCES airline.dim_flight (flight_key),
    flight_date_key   INTEGER       NOT NULL REFERENCES airline.dim_date (date_key),
    booking_date_key  INTEGER       NOT NULL REFERENCES airline.dim_date (date_key),
    fare_class        VARCHAR(10)   NOT NULL,
    fare_amount       DECIMAL(10,2) NOT NULL,
    status            VARCHAR(10)   NOT NULL
) DISTKEY (customer_key) SORTKEY (flight_date_key)
