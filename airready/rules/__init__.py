"""The rules stage: the control catalog, the check language and the engine that turns an
inventory into findings, with waivers, baselines and filters applied."""
