//! casebridge-agency (skeleton: filled by its owner)
