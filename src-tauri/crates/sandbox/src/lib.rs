//! casebridge-sandbox (skeleton: filled by its owner)
