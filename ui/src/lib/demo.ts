// Demo mode's well-known fake credentials, shown so a demo needs no account.
// They mirror casebridge-sandbox's constants (stripe::DEMO_RESTRICTED_KEY);
// only the sandbox on 127.0.0.1 accepts them.

export const DEMO_STRIPE_KEY = 'rk_test_casebridge_demo_readonly';
