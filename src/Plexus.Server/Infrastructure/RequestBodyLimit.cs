using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Plexus.Server.Infrastructure;

/// <summary><c>Server__MaxRequestBodyBytes</c>: the largest request body the API reads (default 1 MB).</summary>
public sealed class ServerLimitsOptions
{
    public const string Section = "Server";

    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Bodies over the limit answer 413 <c>body-too-large</c>. Kestrel enforces the limit while reading (also for chunked
/// bodies, surfacing in <see cref="RequestErrorHandler"/>); a declared <c>Content-Length</c> over it is refused up
/// front, which also holds on servers without the limit feature (the test server).
/// </summary>
public static class RequestBodyLimit
{
    public static IServiceCollection AddRequestBodyLimit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServerLimitsOptions>().Bind(configuration.GetSection(ServerLimitsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        return services;
    }

    public static WebApplication UseRequestBodyLimit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limit = app.Services.GetRequiredService<IOptions<ServerLimitsOptions>>().Value.MaxRequestBodyBytes;
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                var problem = new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Type = Problems.TypeBase + "body-too-large",
                    Title = "The body is too large",
                    Detail = $"the body has {context.Request.ContentLength} bytes; the limit is {limit}",
                };
                problem.Extensions["code"] = "body-too-large";
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        return app;
    }
}
