# Sourced by the scripts: quiet, offline-friendly .NET settings.
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 NUGET_XMLDOC_MODE=skip
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=true DOTNET_GENERATE_ASPNET_CERTIFICATE=false
# Closed network: without this a cold restore spends minutes on certificate-revocation look-ups.
export NUGET_CERT_REVOCATION_MODE=offline
