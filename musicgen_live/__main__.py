from musicgen_live.cli import main

raise SystemExit(main())
