from okxlink.cli.app import main

main()
