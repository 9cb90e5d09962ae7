from kubeset.codegen.cli import main

raise SystemExit(main())
