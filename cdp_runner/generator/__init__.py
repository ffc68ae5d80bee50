"""The sample-data generator: realistic, messy source files for a multi-channel retailer, with the ground truth
(docs/generator.md). `generate.generate()` is the entry point; the other modules simulate one part of the world."""
