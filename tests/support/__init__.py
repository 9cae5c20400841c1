"""What tests share: the harness, factories and the journeys many tests take (as PTB's tests/auxil/)."""
