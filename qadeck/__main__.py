from qadeck.cli import main

main()
