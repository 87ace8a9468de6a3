//! casebridge-store (skeleton: filled by its owner)
