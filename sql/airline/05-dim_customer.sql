CREATE TABLE IF NOT EXISTS airline.dim_customer (
    customer_key      INTEGER      NOT NULL PRIMARY KEY,
    first_name        VARCHAR(40)  NOT NULL,
    last_name         VARCHAR(40)  NOT NULL,
    email             VARCHAR(120) NOT NULL,
    loyalty_tier      VARCHAR(10)  NOT NULL,
    home_airport_key  INTEGER      NOT NULL REFERENCES airline.dim_airport (airport_key),
    signup_date       DATE         NOT NULL
) DISTSTYLE KEY DISTKEY (customer_key) SORTKEY (customer_key)
