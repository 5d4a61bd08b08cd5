//! samwise-template (skeleton).
