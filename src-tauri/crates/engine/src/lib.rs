//! casebridge-engine (skeleton: filled by its owner)
