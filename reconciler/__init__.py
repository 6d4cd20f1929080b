"""accord's imperative shell: every stage that reads or writes files, talks to an index,
installs or executes lives here, and turns what it reads into ``model`` values at once."""
