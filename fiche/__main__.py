from fiche.cli import main

main()
