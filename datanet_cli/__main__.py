from datanet_cli.cli import main

raise SystemExit(main())
