"""Checks of results against known truth: identity resolution scored against the generator's ground truth
(`cdp evaluate`)."""
