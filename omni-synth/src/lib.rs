//! Deterministic, seeded generator of realistic CRM contact data (to be written).
