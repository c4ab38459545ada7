// Ink renders only the last frame when CI is set; component tests need every frame.
delete process.env.CI;
