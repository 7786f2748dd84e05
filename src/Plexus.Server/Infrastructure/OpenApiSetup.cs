using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// The OpenAPI document. Each endpoint lists its own problems; this adds the ones every endpoint can answer, so the
/// document is complete without repeating them: 401 where sign-in is required, 400 (invalid JSON) and 413 where a
/// body is read.
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddPlexusOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Plexus API";
                document.Info.Description = "Errors are RFC 7807 problems with a stable `code`; validation problems list `errors` by JSON path.";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var signedIn = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
                var readsBody = context.Description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body)
                    || metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Any();
                if (signedIn)
                {
                    AddProblem(operation, "401", "Not signed in: no, an expired, a forged or a revoked token or API key");
                }

                if (readsBody)
                {
                    AddProblem(operation, "400", "The body is not valid JSON (the detail names line and column)");
                    AddProblem(operation, "413", "The body is larger than the limit");
                }

                return Task.CompletedTask;
            });
        });

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        operation.Responses ??= [];
        if (!operation.Responses.ContainsKey(status))
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
            };
        }
    }
}
